// One-shot help requests: which words ask for `?` help, and on which partial line.

import t from 'tap';
import { helpLine } from '../../src/maglevc/help-request.js';

t.test('helpLine', (t) => {
  const cases: Array<{ name: string; in: string[]; want: string | undefined }> = [
    { name: 'maglevc ?', in: ['?'], want: '' },
    { name: 'maglevc help', in: ['help'], want: '' },
    { name: 'maglevc show ?', in: ['show', '?'], want: 'show ' },
    { name: 'maglevc help show vpp', in: ['help', 'show', 'vpp'], want: 'show vpp ' },
    { name: 'maglevc sh? completes the word', in: ['sh?'], want: 'sh' },
    { name: 'maglevc show vpp l?', in: ['show', 'vpp', 'l?'], want: 'show vpp l' },
    { name: 'a command', in: ['show', 'frontends'], want: undefined },
    { name: 'help later is a name, not help', in: ['show', 'backends', 'help'], want: undefined },
    { name: 'nothing', in: [], want: undefined },
  ];
  for (const c of cases) t.equal(helpLine(c.in), c.want, c.name);
  t.end();
});
