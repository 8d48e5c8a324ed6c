import { describe, expect, it } from 'vitest';
import { STORES } from './test-stores.js';
import { createFirstOrg, listOrgs } from './orgs.js';

// Several server processes starting at once on an empty database make one first organisation.
describe.each(STORES)('first start: $name', (factory) => {
  it('concurrent first starts make exactly one organisation, and a later start none', async () => {
    const db = await factory.open();
    try {
      const made = await Promise.all([1, 2, 3, 4].map(() => createFirstOrg(db, 'Default')));
      expect(made.filter(Boolean)).toHaveLength(1);
      expect((await listOrgs(db)).map((o) => o.name)).toEqual(['Default']);
      expect(await createFirstOrg(db, 'Default')).toBeUndefined();
    } finally {
      await db.drop();
    }
  });
});
