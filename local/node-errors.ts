/** Whether `error` is a Node.js system error with this `code` (EEXIST, EADDRINUSE, ...). */
export function hasErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
