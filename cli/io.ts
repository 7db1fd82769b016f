// Where a command writes its lines: the process's streams, or a test's arrays. A leaf module, so the
// commands and the program that registers them both import it without importing each other.
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
