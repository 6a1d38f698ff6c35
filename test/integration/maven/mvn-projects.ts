// Small Maven projects for the integration tests: a library (deployed), a consumer that compiles against it, the
// pinned plugins that ~/.m2/repository holds on this machine (REPORT.md §7), a per-suite copy of that local
// repository, and a global settings.xml whose `mirrorOf *` keeps every request on 127.0.0.1.
import { existsSync } from 'node:fs';
import { access, cp, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { describeWithClients, isCi } from '../../support/clients/require-client.js';
import { run, type RunResult } from '../../support/clients/run.js';

export const MVN = '/usr/bin/mvn';
export const SERVER_ID = 'artifact-registry';

const PLUGINS: Array<[string, string]> = [
  ['maven-resources-plugin', '3.3.1'],
  ['maven-compiler-plugin', '3.13.0'],
  ['maven-jar-plugin', '3.4.1'],
  ['maven-install-plugin', '3.1.1'],
  ['maven-deploy-plugin', '3.1.1'],
];
const SEED = join(homedir(), '.m2', 'repository');

/** Throws naming every pinned plugin the seeded ~/.m2/repository lacks (CI must fail with that, not a download error). */
export async function checkSeededPlugins(): Promise<void> {
  const missing: string[] = [];
  for (const [id, v] of PLUGINS) {
    try {
      await access(join(SEED, 'org/apache/maven/plugins', id, v, `${id}-${v}.jar`));
    } catch {
      missing.push(`org.apache.maven.plugins:${id}:${v}`);
    }
  }
  if (missing.length) throw new Error(`~/.m2/repository lacks the pinned Maven plugins ${missing.join(', ')} (seed them with scripts/install-test-clients.sh maven)`);
}

/**
 * describeWithClients([mvn]) that also needs the pinned plugins in ~/.m2/repository: missing ones skip the suite
 * with the list, except under CI=true, where its beforeAll (checkSeededPlugins) fails every test with that list.
 */
export function describeWithMaven(title: string, body: () => void): void {
  const missing = PLUGINS.filter(([id, v]) => !existsSync(join(SEED, 'org/apache/maven/plugins', id, v, `${id}-${v}.jar`)));
  if (missing.length && !isCi()) {
    console.warn(`[skipped] ${title}: ~/.m2/repository lacks ${missing.map(([id, v]) => `${id}:${v}`).join(', ')}`);
    describe.skip(title, body);
    return;
  }
  describeWithClients([MVN], title, body);
}

/** A copy of the seeded local repository (Maven writes into it, and caches failures as *.lastUpdated). */
export async function localRepositoryCopy(dir: string): Promise<string> {
  await cp(SEED, dir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return dir;
}

const pluginsXml = () =>
  [
    '<build><pluginManagement><plugins>',
    ...PLUGINS.map(([id, v]) => `<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>${id}</artifactId><version>${v}</version></plugin>`),
    '</plugins></pluginManagement><plugins>',
    '<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version>',
    '<executions><execution><id>default-test</id><phase>none</phase></execution></executions></plugin>',
    '</plugins></build>',
  ].join('\n');

export interface Coordinates {
  groupId: string;
  artifactId: string;
  version: string;
}

/** A library whose one class returns `message`; `deployTo` goes into distributionManagement (release and snapshot). */
export async function writeLibrary(dir: string, c: Coordinates, pkg: string, message: string, deployTo: string): Promise<void> {
  await mkdir(join(dir, 'src/main/java', ...pkg.split('.')), { recursive: true });
  await writeFile(join(dir, 'src/main/java', ...pkg.split('.'), 'Greeter.java'), `package ${pkg};\npublic class Greeter { public static String greet() { return "${message}"; } }\n`);
  await writeFile(
    join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>${c.groupId}</groupId><artifactId>${c.artifactId}</artifactId><version>${c.version}</version><packaging>jar</packaging>
<properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
<distributionManagement>
<repository><id>${SERVER_ID}</id><url>${deployTo}</url></repository>
<snapshotRepository><id>${SERVER_ID}</id><url>${deployTo}</url></snapshotRepository>
</distributionManagement>
${pluginsXml()}
</project>\n`,
  );
}

/** A consumer that calls the Greeter of each dependency, resolving from `repositoryUrl`. */
export async function writeConsumer(dir: string, deps: Array<Coordinates & { pkg: string }>, repositoryUrl: string): Promise<void> {
  await mkdir(join(dir, 'src/main/java/app'), { recursive: true });
  const calls = deps.map((d) => `${d.pkg}.Greeter.greet()`).join(' + " " + ');
  await writeFile(join(dir, 'src/main/java/app/Main.java'), `package app;\npublic class Main { public static void main(String[] a) { System.out.println(${calls}); } }\n`);
  await writeFile(
    join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>com.example.app</groupId><artifactId>consumer</artifactId><version>1.0</version><packaging>jar</packaging>
<properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
<repositories><repository><id>${SERVER_ID}</id><url>${repositoryUrl}</url><releases><enabled>true</enabled></releases><snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots></repository></repositories>
<dependencies>
${deps.map((d) => `<dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`).join('\n')}
</dependencies>
${pluginsXml()}
</project>\n`,
  );
}

/** A global settings.xml: the local repository copy, and every repository mirrored to `url` (nothing leaves the machine). */
export async function writeGlobalSettings(file: string, localRepository: string, url: string): Promise<void> {
  await writeFile(
    file,
    `<settings><localRepository>${localRepository}</localRepository>
<mirrors><mirror><id>${SERVER_ID}</id><mirrorOf>*</mirrorOf><url>${url}</url></mirror></mirrors></settings>\n`,
  );
}

export function mvn(cwd: string, userSettings: string, globalSettings: string, args: string[]): Promise<RunResult> {
  return run(MVN, ['-B', '-e', '-ntp', '-s', userSettings, '-gs', globalSettings, ...args], { cwd, timeoutMs: 240_000, env: { MAVEN_OPTS: '-Xmx512m -XX:TieredStopAtLevel=1' } });
}
