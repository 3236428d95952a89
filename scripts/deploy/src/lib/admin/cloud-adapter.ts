// The AdminPort on a CloudBase environment. UNTESTED HERE (no network to Tencent Cloud): collections, indexes
// and security rules through @cloudbase/manager-node (the calls deploy uses: cloud-deploy.ts), documents through
// @cloudbase/node-sdk's database with admin rights. Both are required lazily; neither is a dependency here.
import { createRequire } from 'node:module';
import type { IndexSpec } from '../project';
import type { AdminPort, Doc, DocUpdate } from './port';

// biome-ignore lint/suspicious/noExplicitAny: untyped optional SDKs
type Any = any;

export const CLOUD_PACKAGES = '@cloudbase/manager-node@5.6.5 @cloudbase/node-sdk@3.17.2';

export class CloudAdmin implements AdminPort {
  private readonly manager: Any;
  private readonly db: Any;

  constructor(
    root: string,
    private readonly cred: { envId: string; secretId: string; secretKey: string },
  ) {
    const req = createRequire(`${root}/package.json`);
    let Manager: Any;
    let tcb: Any;
    try {
      Manager = req('@cloudbase/manager-node');
      tcb = req('@cloudbase/node-sdk');
    } catch {
      throw new Error(`the cloud adapter needs: npm install --no-save ${CLOUD_PACKAGES}`);
    }
    this.manager = new (Manager.default ?? Manager)(cred);
    this.db = tcb.init({ env: cred.envId, secretId: cred.secretId, secretKey: cred.secretKey }).database();
  }

  async createCollection(name: string): Promise<boolean> {
    const r = await this.manager.database.createCollectionIfNotExists(name);
    return r?.IsCreated === true;
  }

  async setIndexes(collection: string, indexes: IndexSpec[]): Promise<void> {
    await this.manager.database.updateCollection(collection, {
      CreateIndexes: indexes.map((ix) => ({
        IndexName: ix.name,
        MgoKeySchema: {
          MgoIsUnique: ix.unique === true,
          MgoIndexKeys: ix.keys.map(([Name, d]) => ({ Name, Direction: String(d) })),
        },
      })),
    });
  }

  async setRule(collection: string, rule: unknown): Promise<void> {
    await this.manager.commonService().call({
      Action: 'ModifySafeRule',
      Param: {
        EnvId: this.cred.envId,
        CollectionName: collection,
        AclTag: 'CUSTOM',
        Rule: JSON.stringify(rule),
      },
    });
  }

  async createDoc(collection: string, doc: Doc): Promise<boolean> {
    try {
      await this.db.collection(collection).add(doc);
      return true;
    } catch (e) {
      if (/duplicate/i.test(String((e as Error).message))) return false;
      throw e;
    }
  }

  async putDocs(collection: string, docs: Doc[]): Promise<void> {
    for (const { _id, ...data } of docs) await this.db.collection(collection).doc(_id).set(data);
  }

  async getDoc(collection: string, id: string): Promise<Doc | undefined> {
    const r = await this.db.collection(collection).where({ _id: id }).limit(1).get();
    return r.data?.[0];
  }

  async updateDoc(collection: string, id: string, u: DocUpdate): Promise<boolean> {
    const _ = this.db.command;
    const data: Record<string, unknown> = { ...(u.set ?? {}) };
    for (const [k, v] of Object.entries(u.addToSet ?? {})) data[k] = _.addToSet(v);
    for (const [k, v] of Object.entries(u.pull ?? {})) data[k] = _.pull(v);
    for (const k of u.unset ?? []) data[k] = _.remove();
    const r = await this.db.collection(collection).where({ _id: id }).update(data);
    return (r.updated ?? 0) > 0 || (await this.getDoc(collection, id)) !== undefined;
  }
}
