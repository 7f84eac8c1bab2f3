/**
 * Where a backing file (or an external data file) named inside an image lives, and whether it may
 * be opened. An image is untrusted input: its backing name could point anywhere on the host, so a
 * name that is absolute or leads outside the image's folder (lexically or through a symbolic link)
 * is followed only when the caller approves the resolved path (the extension asks the user).
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** Approves a resolved backing path that the folder rule would refuse. */
export type AllowBackingPath = (resolvedPath: string) => boolean;

export interface ResolvedReference {
  /** The name as the image stores it. */
  readonly name: string;
  /** The absolute path it resolves to (relative names resolve next to the image). */
  readonly path: string;
  /** Null when it may be followed; else why not, in words. */
  readonly problem: string | null;
}

function inside(folder: string, target: string): boolean {
  const rel = relative(folder, target);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + sep));
}

export function resolveReference(imagePath: string, name: string, allow: AllowBackingPath | undefined, what: string): ResolvedReference {
  if (/^json:/i.test(name) || /^[a-z][a-z0-9+.-]*:\/\//i.test(name)) {
    return { name, path: name, problem: `${what} '${name}' uses a protocol, which is not supported` };
  }
  const folder = dirname(resolve(imagePath));
  const path = isAbsolute(name) ? resolve(name) : resolve(folder, name);
  if (allow?.(path)) return { name, path, problem: null };
  const refuse = (why: string): ResolvedReference => ({
    name,
    path,
    problem: `${what} ${path} ${why}; not followed without permission`,
  });
  if (isAbsolute(name)) return refuse('is an absolute path');
  if (!inside(folder, path)) return refuse("lies outside the image's folder");
  if (existsSync(path)) {
    try {
      if (!inside(realpathSync(folder), realpathSync(path))) return refuse("leads outside the image's folder through a symbolic link");
    } catch {
      return refuse('cannot be resolved');
    }
  }
  return { name, path, problem: null };
}
