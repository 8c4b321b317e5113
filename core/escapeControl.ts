/**
 * Text that came from outside (a DTC server's reject or logoff text, a peer's bytes) made
 * safe to print: control characters (C0, DEL, C1, and the line and paragraph separators)
 * become visible escapes, so a server cannot move the cursor, clear the screen or forge
 * log lines on an operator's terminal.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
