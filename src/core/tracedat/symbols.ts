// Kernel symbol lookup for %pS / %ps (kallsyms) and trace_printk format lookup, as libtraceevent does it:
// a function covers [its address, the next function's address); past the last one only an exact match counts.

export class Kallsyms {
  private addrs: BigUint64Array | null = null;
  private names: string[] = [];

  constructor(private readonly text: Buffer | null) {}

  private load(): void {
    const entries: { addr: bigint; name: string }[] = [];
    if (this.text) {
      const s = this.text.toString('latin1');
      const re = /^([0-9a-fA-F]{1,16})\s+(\S)\s+(\S+)/gm;
      for (let m = re.exec(s); m; m = re.exec(s)) {
        const type = m[2];
        const name = m[3];
        // libtraceevent skips absolute symbols (per-cpu offsets on x86-64) and ARM's "$a" mapping symbols
        if (type === 'A' || type === 'a' || name.startsWith('$')) continue;
        entries.push({ addr: BigInt('0x' + m[1]), name });
      }
    }
    entries.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    this.addrs = BigUint64Array.from(entries.map((e) => e.addr));
    this.names = entries.map((e) => e.name);
  }

  find(addr: bigint): { name: string; addr: bigint } | null {
    if (!this.addrs) this.load();
    const a = this.addrs!;
    const n = a.length;
    if (n === 0) return null;
    let lo = 0;
    let hi = n - 1;
    // last index with a[i] <= addr
    if (addr < a[0]) return null;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (a[mid] <= addr) lo = mid;
      else hi = mid - 1;
    }
    if (lo === n - 1 && a[lo] !== addr) return null;
    // among equal addresses take the first, as a stable sort would
    while (lo > 0 && a[lo - 1] === a[lo]) lo--;
    return { name: this.names[lo], addr: a[lo] };
  }
}

export class PrintkFormats {
  private map: Map<bigint, string> | null = null;

  constructor(private readonly text: Buffer | null) {}

  find(addr: bigint): string | null {
    if (!this.map) {
      this.map = new Map();
      if (this.text) {
        for (const line of this.text.toString('latin1').split('\n')) {
          const m = /^\s*(0x[0-9a-fA-F]+)\s*:\s*"?(.*?)"?\s*$/.exec(line);
          if (m) this.map.set(BigInt(m[1]), m[2].replace(/\\n/g, '\n'));
        }
      }
    }
    return this.map.get(addr) ?? null;
  }
}
