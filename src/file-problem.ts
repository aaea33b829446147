/**
 * What a file system error means, in words, with its code in brackets for a search: Node's own message
 * ("EISDIR: illegal operation on a directory, read") names neither the file's role nor what to do, so
 * callers put this after a sentence of their own that names the file.
 */
const PHRASES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EBUSY: 'the file is busy',
};

export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code !== 'string') return message;
  // Node's text after "CODE: " up to the syscall, e.g. "illegal operation on a directory".
  const phrase = PHRASES[code] ?? message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return `${phrase} (${code})`;
}
