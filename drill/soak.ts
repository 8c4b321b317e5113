export interface SoakOptions { months: number; say?: (line: string) => void }
export async function runSoak(_o: SoakOptions): Promise<never> {
  throw new Error('the soak drill is not built yet');
}
export function formatSoak(_r: unknown): string {
  return '';
}
