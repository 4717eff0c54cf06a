/** Comments Handover never reads as commands: edits and deletions, bots, and its own. */
export function isIgnoredComment(event: {
  action: string;
  comment: { user: { type: string; login: string } };
  botLogin: string;
}): boolean {
  const { user } = event.comment;
  return event.action !== "created" || user.type === "Bot" || user.login.toLowerCase() === event.botLogin.toLowerCase();
}
