import { LineSplitter } from "./lines.js";
import { plainText } from "./plain-text.js";

export interface SqlTechnique {
  type: string;
  title: string;
  payload: string;
}

export interface InjectionPoint {
  parameter: string;
  /** Where the parameter sits: GET, POST, Cookie, User-Agent, URI, ... */
  place: string;
  techniques: SqlTechnique[];
}

export interface TableRows {
  database: string;
  table: string;
  columns: string[];
  rows: string[][];
}

export interface SqlmapParsed {
  injectable: InjectionPoint[];
  dbms: string | null;
  banner: string | null;
  current_user: string | null;
  current_db: string | null;
  is_dba: boolean | null;
  hostname: string | null;
  databases: string[];
  users: string[];
  tables: { database: string; tables: string[] }[];
  columns: { database: string; table: string; columns: { name: string; type: string }[] }[];
  dumps: TableRows[];
  /** sqlmap's [CRITICAL] and [ERROR] lines, e.g. "all tested parameters do not appear to be injectable". */
  critical: string[];
  truncated: boolean;
}

/** Bounds that keep one parsed result small enough for a model's context. */
export const SQLMAP_MAX_ITEMS = 500;

const LOG = /^\[\d\d:\d\d:\d\d\] \[([A-Z]+)\] (.*)$/;
const QUOTED = (key: string) => new RegExp(`^${key}: '(.*)'$`);

/**
 * Parses sqlmap's console output as it streams: the injection-point block between `---` lines, the
 * enumeration answers, and the boxes of tables, columns and dumped rows.
 */
export class SqlmapOutputStream {
  readonly result: SqlmapParsed = {
    injectable: [],
    dbms: null,
    banner: null,
    current_user: null,
    current_db: null,
    is_dba: null,
    hostname: null,
    databases: [],
    users: [],
    tables: [],
    columns: [],
    dumps: [],
    critical: [],
    truncated: false,
  };
  /** The `---` block being read: injection points, a multi-line value by name, or one to skip. */
  #block: string | null = null;
  #value: string[] = [];
  #previous = "";
  /** Set once sqlmap reports what it found in the database: output from then on may be the host's. */
  #enumerating = false;
  #technique: SqlTechnique | null = null;
  #list: string[] | null = null;
  #database = "";
  #table = "";
  #box: string[] = [];
  #boxKind: "tables" | "columns" | "entries" | null = null;
  readonly #lines = new LineSplitter((line) => {
    this.#line(plainText(line).replace(/\r$/, ""));
  });

  constructor(private readonly onFinding: (message: string) => void = () => undefined) {}

  write(chunk: Buffer): void {
    this.#lines.write(chunk);
  }

  end(): SqlmapParsed {
    this.#lines.end();
    this.#closeBox();
    return this.result;
  }

  #line(line: string): void {
    if (line === "---") {
      this.#toggleBlock();
      return;
    }
    if (this.#block === "injection") {
      this.#blockLine(line.trim());
      return;
    }
    if (this.#block !== null) {
      // A multi-line value (a banner with line breaks): host data, kept whole, never parsed as lines.
      if (this.#block !== "ignored") this.#value.push(line);
      return;
    }
    const log = LOG.exec(line);
    if (log) {
      if ((log[1] === "CRITICAL" || log[1] === "ERROR") && this.result.critical.length < 20)
        this.result.critical.push(log[2] ?? "");
      return;
    }
    if (this.#boxKind !== null && /^[+|]/.test(line)) {
      this.#box.push(line);
      return;
    }
    this.#closeBox();
    this.#plainLine(line);
    if (line !== "") this.#previous = line;
  }

  /**
   * sqlmap frames two things with `---` lines: the injection points, after its "identified the following
   * injection point(s)" line, and values that span lines, after `name:`. Only the first kind is parsed, and
   * only before enumeration starts: later output carries the host's data, which could imitate one.
   */
  #toggleBlock(): void {
    if (this.#block !== null) {
      if (this.#block === "injection" && this.result.injectable.length > 0)
        this.onFinding(`${this.result.injectable.length} injectable parameter(s)`);
      else if (this.#block !== "injection" && this.#block !== "ignored")
        this.#assign(this.#block, this.#value.join("\n"));
      this.#block = null;
      this.#value = [];
      return;
    }
    const value = /^([a-z][a-z ]*):$/.exec(this.#previous);
    if (!this.#enumerating && /injection point\(s\)/.test(this.#previous)) this.#block = "injection";
    else if (value) {
      this.#block = value[1] ?? "ignored";
      this.#enumerating = true;
    } else this.#block = "ignored";
    this.#previous = "";
  }

  #assign(key: string, value: string): void {
    const r = this.result;
    if (key === "banner") r.banner = value;
    else if (key === "current user") r.current_user = value;
    else if (key === "current database") r.current_db = value;
    else if (key === "hostname") r.hostname = value;
  }

  #blockLine(line: string): void {
    const point = /^Parameter: (.+) \((.+)\)$/.exec(line);
    if (point) {
      this.#push(this.result.injectable, {
        parameter: point[1] ?? "",
        place: point[2] ?? "",
        techniques: [],
      });
      return;
    }
    const current = this.result.injectable.at(-1);
    const field = /^(Type|Title|Payload): (.*)$/.exec(line);
    if (!current || !field) return;
    const value = field[2] ?? "";
    if (field[1] === "Type") {
      this.#technique = { type: value, title: "", payload: "" };
      current.techniques.push(this.#technique);
    } else if (this.#technique) {
      // Payloads can be long; the raw output keeps them whole.
      if (field[1] === "Title") this.#technique.title = value;
      else this.#technique.payload = value.slice(0, 500);
    }
  }

  #plainLine(line: string): void {
    const r = this.result;
    let m: RegExpExecArray | null;
    if ((m = /^back-end DBMS: (.+)$/.exec(line))) {
      r.dbms = m[1] ?? null;
      this.#enumerating = true;
    } else if ((m = QUOTED("banner").exec(line))) r.banner = m[1] ?? null;
    else if ((m = QUOTED("current user").exec(line))) r.current_user = m[1] ?? null;
    else if ((m = QUOTED("current database").exec(line))) r.current_db = m[1] ?? null;
    else if ((m = QUOTED("hostname").exec(line))) r.hostname = m[1] ?? null;
    else if ((m = /^current user is DBA: (True|False)$/.exec(line))) r.is_dba = m[1] === "True";
    else if (/^available databases \[\d+\]:$/.test(line)) this.#list = r.databases;
    else if (/^database management system users \[\d+\]:$/.test(line)) this.#list = r.users;
    else if ((m = /^\[\*\] (.+)$/.exec(line)) && this.#list) this.#push(this.#list, m[1] ?? "");
    else if ((m = /^Database: (.+)$/.exec(line))) this.#database = m[1] ?? "";
    else if (line === "<current>") this.#database = "<current>";
    else if ((m = /^Table: (.+)$/.exec(line))) this.#table = m[1] ?? "";
    else if ((m = /^\[\d+ (tables?|columns?|entr(?:y|ies))\]$/.exec(line))) {
      const word = m[1] ?? "";
      this.#boxKind = word.startsWith("table") ? "tables" : word.startsWith("column") ? "columns" : "entries";
      this.#box = [];
    } else if (line === "") this.#list = null;
  }

  #closeBox(): void {
    const kind = this.#boxKind;
    if (kind === null) return;
    this.#boxKind = null;
    const separators = this.#box.filter((l) => l.startsWith("+")).length;
    const rows = this.#box
      .filter((l) => l.startsWith("|"))
      .map((l) =>
        l
          .slice(1, l.endsWith("|") ? -1 : undefined)
          .split("|")
          .map((cell) => cell.trim()),
      );
    // A box with a header row has three separator lines: above, below the header, and at the end.
    const header = separators >= 3 ? (rows.shift() ?? []) : [];
    const database = this.#database;
    const table = this.#table;
    const r = this.result;
    if (kind === "tables")
      this.#push(r.tables, { database, tables: rows.map((row) => row[0] ?? "").slice(0, SQLMAP_MAX_ITEMS) });
    else if (kind === "columns")
      this.#push(r.columns, {
        database,
        table,
        columns: rows.slice(0, SQLMAP_MAX_ITEMS).map((row) => ({ name: row[0] ?? "", type: row[1] ?? "" })),
      });
    else {
      if (rows.length > SQLMAP_MAX_ITEMS) r.truncated = true;
      this.#push(r.dumps, { database, table, columns: header, rows: rows.slice(0, SQLMAP_MAX_ITEMS) });
    }
    this.#box = [];
  }

  #push<T>(list: T[], item: T): void {
    if (list.length >= SQLMAP_MAX_ITEMS) this.result.truncated = true;
    else list.push(item);
  }
}
