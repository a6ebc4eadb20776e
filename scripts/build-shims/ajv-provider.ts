// Bundle-time stand-in for @modelcontextprotocol/sdk's validation/ajv-provider.js (see scripts/build.ts):
// the same class and behaviour, but ajv is loaded and set up when a schema is first compiled (the server
// only does that to check an elicitation answer, which this server never asks for) instead of at start
// and again for every MCP session the server opens.
import type { ValidateFunction } from "ajv";

interface AjvLike {
  compile(schema: object): ValidateFunction;
  getSchema(id: string): ValidateFunction | undefined;
  errorsText(errors: unknown): string;
}

type Result =
  | { valid: true; data: unknown; errorMessage: undefined }
  | { valid: false; data: undefined; errorMessage: string };

function createDefaultAjvInstance(): AjvLike {
  // ajv and ajv-formats, bundled on their own by scripts/build.ts and read only now.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Ajv, addFormats } = require("./vendor/ajv.cjs") as {
    Ajv: new (options: object) => AjvLike;
    addFormats: (ajv: AjvLike) => void;
  };
  const ajv = new Ajv({ strict: false, validateFormats: true, validateSchema: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

export class AjvJsonSchemaValidator {
  #ajv: AjvLike | undefined;

  constructor(ajv?: AjvLike) {
    this.#ajv = ajv;
  }

  getValidator(schema: object): (input: unknown) => Result {
    const ajv = (this.#ajv ??= createDefaultAjvInstance());
    const id = (schema as { $id?: unknown }).$id;
    const validate =
      typeof id === "string" ? (ajv.getSchema(id) ?? ajv.compile(schema)) : ajv.compile(schema);
    return (input) =>
      validate(input)
        ? { valid: true, data: input, errorMessage: undefined }
        : { valid: false, data: undefined, errorMessage: ajv.errorsText(validate.errors) };
  }
}
