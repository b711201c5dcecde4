/**
 * Groups of records joined by matched pairs, transitively: if a matches b and b
 * matches c, all three are one cluster. Each cluster is named by its smallest
 * member, so the names do not depend on the order pairs arrive in.
 */
export class UnionFind {
  private readonly parent: Int32Array;

  constructor(size: number) {
    this.parent = new Int32Array(size);
    for (let i = 0; i < size; i++) this.parent[i] = i;
  }

  find(member: number): number {
    let root = member;
    while (this.parent[root] !== root) root = this.parent[root]!;
    // Path compression: every member on the way now points at the root.
    while (this.parent[member] !== root) {
      const next = this.parent[member]!;
      this.parent[member] = root;
      member = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    // The smaller root wins, so a cluster's name is its smallest member.
    if (rootA < rootB) this.parent[rootB] = rootA;
    else if (rootB < rootA) this.parent[rootA] = rootB;
  }
}
