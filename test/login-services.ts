import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";

/** The one valid login of each service; both are in the shipped lists (default-usernames, common-passwords). */
export const WEB_LOGIN = { login: "admin", password: "sunshine" } as const;
export const FTP_LOGIN = { login: "operator", password: "changeme" } as const;

export interface LoginServices {
  readonly httpPort: number;
  readonly ftpPort: number;
  /** Form logins and Basic-auth requests seen, to show the attempts were real. */
  readonly attempts: { form: number; basic: number; ftp: number };
  close(): Promise<void>;
}

function formLogin(body: string): boolean {
  const fields = new URLSearchParams(body);
  return fields.get("user") === WEB_LOGIN.login && fields.get("pass") === WEB_LOGIN.password;
}

/**
 * Loopback services with one valid credential each: an HTTP login form (POST /login), a Basic-auth page
 * (GET /private) and a minimal FTP login dialogue.
 */
export async function startLoginServices(): Promise<LoginServices> {
  const attempts = { form: 0, basic: 0, ftp: 0 };
  const http: HttpServer = createHttpServer((req, res) => {
    if (req.url === "/login" && req.method === "POST") {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        attempts.form++;
        res.setHeader("Content-Type", "text/html");
        res.end(formLogin(body) ? "<p>Welcome back</p>" : "<p>Invalid login</p>");
      });
      return;
    }
    if (req.url === "/private") {
      attempts.basic++;
      const expected = `Basic ${Buffer.from(`${WEB_LOGIN.login}:${WEB_LOGIN.password}`).toString("base64")}`;
      if (req.headers.authorization === expected) res.end("private page");
      else {
        res.statusCode = 401;
        res.setHeader("WWW-Authenticate", 'Basic realm="lab"');
        res.end("authentication required");
      }
      return;
    }
    res.statusCode = 404;
    res.end("not found");
  });
  const sockets = new Set<Socket>();
  const ftp: Server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let user = "";
    let pending = "";
    socket.write("220 lab FTP ready\r\n");
    socket.on("data", (chunk) => {
      pending += chunk.toString();
      let end: number;
      while ((end = pending.indexOf("\r\n")) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const [command = "", ...rest] = line.split(" ");
        const arg = rest.join(" ");
        if (command.toUpperCase() === "USER") {
          user = arg;
          socket.write("331 Password required\r\n");
        } else if (command.toUpperCase() === "PASS") {
          attempts.ftp++;
          const good = user === FTP_LOGIN.login && arg === FTP_LOGIN.password;
          socket.write(good ? "230 Login successful\r\n" : "530 Login incorrect\r\n");
        } else if (command.toUpperCase() === "QUIT") socket.end("221 Bye\r\n");
        else socket.write("502 Not implemented\r\n");
      }
    });
  });
  const listen = (server: HttpServer | Server): Promise<number> =>
    new Promise((resolve) => {
      server.listen(0, "127.0.0.1", () => {
        resolve((server.address() as AddressInfo).port);
      });
    });
  const [httpPort, ftpPort] = await Promise.all([listen(http), listen(ftp)]);
  return {
    httpPort,
    ftpPort,
    attempts,
    close: async () => {
      http.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => ftp.close(r))]);
    },
  };
}
