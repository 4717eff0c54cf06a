import { run } from "probot";
import { handover } from "./app/index.js";

/** What is missing from the environment, one line each; empty when the App can start. */
export function environmentProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  if (!env.APP_ID) problems.push("APP_ID is not set: the GitHub App's numeric id (its settings page shows it)");
  else if (!/^\d+$/.test(env.APP_ID)) problems.push(`APP_ID ${JSON.stringify(env.APP_ID)} is not a number`);
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH)
    problems.push("PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the App's private key, PEM or base64 of it");
  if (!env.WEBHOOK_SECRET) {
    problems.push(
      'WEBHOOK_SECRET is not set: Handover refuses to start without it (Probot would silently accept the secret "development")',
    );
  }
  return problems;
}

/** `npm start`: check the environment, then run the App on Probot's server (HOST, PORT, GHE_HOST are Probot's). */
export async function start(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const problems = environmentProblems(env);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`handover: ${problem}\n`);
    process.stderr.write('handover: not started; see README.md "Running the App"\n');
    return 2;
  }
  const { app } = handover({
    resyncTimer: true,
    webhookSecret: env.WEBHOOK_SECRET as string,
    ...(env.RESYNC_SECRET ? { resyncSecret: env.RESYNC_SECRET } : {}),
  });
  await run(app);
  return 0;
}
