import type { ProblemInit } from './problem';

/** An HTTP-level refusal (415, 413, ...) raised by the HTTP layer itself, carried as a problem. */
export class HttpProblem extends Error {
  constructor(readonly problem: ProblemInit) {
    super(problem.detail ?? problem.title);
    this.name = 'HttpProblem';
  }
}
