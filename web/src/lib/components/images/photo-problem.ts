import { t } from '../../i18n/i18n.svelte.js';
import type { PhotoProblem } from '../../images/prepare.js';

/** What a person reads when a photo cannot be used: what is wrong and what to do. */
export function photoProblem(p: PhotoProblem): string {
  switch (p.kind) {
    case 'not_image':
      return t('photos.notImage', { name: p.name });
    case 'too_large':
      return t('photos.tooLarge', { name: p.name, mb: p.mb, max: p.maxMb });
    case 'too_many_pixels':
      return t('photos.tooManyPixels', { name: p.name, mp: p.megapixels });
    case 'unreadable':
      return t('photos.unreadable', { name: p.name, format: p.format });
  }
}
