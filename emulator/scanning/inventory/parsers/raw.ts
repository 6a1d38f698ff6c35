// What a parser reads out of one file before the image's OS is known: the ecosystem and release of OS packages are
// assigned from /etc/os-release once every layer is read (`../index.ts`).
import type { PackageType } from '../types.js';

export interface RawPackage {
  /** `dpkg`, `apk`, `rpm` for OS packages (their ecosystem comes from the OS), else the OSV ecosystem */
  kind: 'dpkg' | 'apk' | 'rpm' | 'npm' | 'PyPI' | 'Maven' | 'Go';
  packageType: PackageType;
  name: string;
  version: string;
  source?: { name: string; version?: string };
  /** where it is installed, for de-duplication (an npm package's folder); the file path otherwise */
  location?: string;
  /** the file that says it is installed, when it is not the file parsed (a jar inside a war) */
  filePath?: string;
}

export interface ParseResult {
  packages: RawPackage[];
  warnings: string[];
}
