// The Probot entry point (`probot run ./lib/index.js`): all logic lives in app.ts.
import { handover } from "./app.js";

export default handover({ resyncTimer: true, resyncSecret: process.env.RESYNC_SECRET }).app;
