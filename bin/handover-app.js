#!/usr/bin/env node
import { start } from "../lib/server.js";

const code = await start();
if (code !== 0) process.exitCode = code;
