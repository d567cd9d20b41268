// The README's configuration table and .env.example name every variable the server reads.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ENV_VARIABLES } from "./env";

const ROOT = join(__dirname, "../..");

it("documents every variable in the README's configuration table and in .env.example", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Production"));
  const example = readFileSync(join(ROOT, ".env.example"), "utf8");
  expect(ENV_VARIABLES.length).toBeGreaterThan(30);
  expect(ENV_VARIABLES.filter((v) => !table.includes(`\`${v}\``))).toEqual([]);
  expect(ENV_VARIABLES.filter((v) => !new RegExp(`^#? ?${v}=`, "m").test(example))).toEqual([]);
});
