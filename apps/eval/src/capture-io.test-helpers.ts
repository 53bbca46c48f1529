/** A MainIo whose stdout/stderr writes are collected (stderr is not a TTY: plain progress lines). */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { isTTY: false, write: (s: string) => err.push(s) },
      env: {},
    },
  };
}
