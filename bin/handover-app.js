#!/usr/bin/env node
import { main } from "../lib/server/index.js";

const code = await main(process.argv.slice(2));
if (code !== "running") process.exitCode = code;
