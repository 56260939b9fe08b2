#!/usr/bin/env node
// fusop: the command line. The dispatcher and every command live in cli.ts and the command modules.
import { runCli } from "./cli.js";

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
