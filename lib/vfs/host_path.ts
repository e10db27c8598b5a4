/**
 * Host path text, resolved lexically as `node:path`'s `resolve` does on
 * POSIX (written here so a run does not load Node compatibility, which costs
 * some 10 ms of start-up per module).
 * @module
 */

/**
 * `path` made absolute against `base` (itself absolute) and normalized:
 * `.` and empty components dropped, `..` removing the one before it (never
 * above `/`), no trailing slash except for `/` itself.
 */
export function resolveHostPath(base: string, path: string): string {
  const text = path.startsWith("/") ? path : `${base}/${path}`;
  const out: string[] = [];
  for (const part of text.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}
