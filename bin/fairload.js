#!/usr/bin/env node
// The `fairload` command. Runs the TypeScript CLI through tsx, so a checkout needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
