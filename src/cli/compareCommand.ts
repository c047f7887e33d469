// STUB: compare (issue 4 item 7).
export async function compareCommand(_files: string[], _runs: boolean, _json: boolean): Promise<number> {
  process.stderr.write('kvm-trace-lens: compare is not implemented yet\n');
  return 1;
}
