// Vitest set-up: DOM matchers, i18n initialised, DOM cleaned after every test.
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import '@/lib/i18n';

// findBy*/waitFor give up after 1 s by default. On a loaded 2-core CI runner (the whole vitest
// stage shares it with jsdom start-up) a click → mutation → re-render chain has taken longer, and
// a test failed though the screen was right. A wrong screen still fails, only later.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
});
