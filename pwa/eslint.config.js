// Lint of the PWA's modules (`make lint-js`): ESLint's recommended rules and a few of our own,
// each for a reason of this app. Types are TypeScript's job (tsconfig.json), layout nobody's.
// Checked here and never served (backend/http/pages.py serves src/, styles/ and icons/ only).

import js from "@eslint/js";
import globals from "globals";

// STYLE.md: api.js alone talks to the server, db.js alone owns IndexedDB.
const OWNED = [
  { name: "fetch", message: "Call the server through api.js (api, raw)." },
  { name: "indexedDB", message: "Use db.js (inStore, remember): it owns the schema and its upgrades." },
];

export default [
  { ignores: ["node_modules/"] },
  js.configs.recommended,
  {
    files: ["src/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: {
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      "no-console": ["error", { allow: ["error"] }],
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      complexity: ["error", 10], // STYLE.md
      "max-lines": ["error", 400], // STYLE.md: split a file before it passes ~400
      "no-restricted-globals": ["error", ...OWNED],
      // Elements are built with dom.js's h(): what a villager typed stays text.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Build elements with h() (dom.js)." },
        { property: "outerHTML", message: "Build elements with h() (dom.js)." },
        { property: "insertAdjacentHTML", message: "Build elements with h() (dom.js)." },
      ],
    },
  },
  // The owners themselves; the catalog is public and read before sign-in, without the token.
  { files: ["src/api.js", "src/i18n.js"], rules: { "no-restricted-globals": ["error", OWNED[1]] } },
  { files: ["src/db.js"], rules: { "no-restricted-globals": ["error", OWNED[0]] } },
  {
    // A classic script (the backend fills in its version and shell list), not a module.
    files: ["sw.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: { ...globals.serviceworker, __SHELL__: "readonly" } },
    rules: { eqeqeq: "error", "no-var": "error", "prefer-const": "error" },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
