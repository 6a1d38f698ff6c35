// A set of strings kept in code-unit order (binary search; insert and delete move at most the tail).
export class SortedStrings {
  private readonly items: string[] = [];

  get size(): number {
    return this.items.length;
  }

  add(value: string): void {
    const i = this.lowerBound(value);
    if (this.items[i] !== value) this.items.splice(i, 0, value);
  }

  delete(value: string): void {
    const i = this.lowerBound(value);
    if (this.items[i] === value) this.items.splice(i, 1);
  }

  /** A copy, in order. */
  values(): string[] {
    return this.items.slice();
  }

  private lowerBound(value: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
