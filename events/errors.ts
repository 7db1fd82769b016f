import type { z } from './zod.js';

/** A stored or incoming event that does not fit its schema. The message names the field. */
export class EventParseError extends Error {
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'EventParseError';
  }

  static fromZod(context: string, error: z.ZodError): EventParseError {
    const issues = error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    }));
    const list = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return new EventParseError(`${context}: ${list}`, issues);
  }
}
