// For the type checker of pwa/sw.js only (tsconfig.sw.json); never served.

// What the backend writes into sw.js when it serves it (backend/http/pages.py): the shell's URL paths.
declare const __SHELL__: string[];
