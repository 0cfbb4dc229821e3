/**
 * `next(value)`, at once when `value` is a plain value, after it resolves when it is a promise: the synchronous
 * path (synchronous schemas, the usual case) then costs no promise and no microtask. A throw of `next` on the
 * synchronous path is a throw.
 */
export function andThen<T, U>(value: T | Promise<T>, next: (value: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then<U>(next) : next(value);
}
