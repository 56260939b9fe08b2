// Bundles the compiled CLI (dist/cli, from tsc) into one file per entry point: dist/fusop.js (the
// `fusop` command) and dist/api.js (the programmatic API). Node's built-ins stay imports. The one
// runtime dependency, serialport (native bindings: it cannot be bundled), stays an import too, and
// cli/targets/serial-board.ts loads it lazily: only --port needs it.
const external = (id) => id.startsWith("node:") || id === "serialport" || id.startsWith("@serialport/");
// host-sim's chip and CPU2 models import each other (classes used only at run time, after every
// module has loaded), which is safe in ES modules; every other warning is shown.
const onwarn = (warning, warn) => {
  if (warning.code === "CIRCULAR_DEPENDENCY" && warning.ids.every((id) => id.includes("/dist/host-sim/"))) return;
  warn(warning);
};

export default [
  {
    input: "dist/cli/main.js",
    external,
    onwarn,
    // The shebang comes from cli/main.ts.
    output: { file: "dist/fusop.js", format: "es", inlineDynamicImports: true },
  },
  {
    input: "dist/cli/api.js",
    external,
    onwarn,
    output: { file: "dist/api.js", format: "es", inlineDynamicImports: true },
  },
];
