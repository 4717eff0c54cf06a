/** No HTML comment can open or close inside user text (it could hide content or imitate Handover's markers). */
function breakComments(text: string): string {
  return text.replace(/<!--/g, "<!\u200b--").replace(/-->/g, "--\u200b>");
}

/** User text made inert in markdown: no HTML, no table breaks, no mentions, one line. */
export function escapeText(text: string): string {
  return breakComments(text)
    .replace(/\r?\n/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/@(?=\w)/g, "@\u200b")
    .slice(0, 300);
}

/** User text shown as inline code (backticks removed so it cannot break out). */
export function code(text: string): string {
  return `\`${breakComments(text).replace(/`/g, "'").replace(/\r?\n/g, " ").replace(/\|/g, "\\|").slice(0, 200)}\``;
}
