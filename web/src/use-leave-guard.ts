import { useEffect } from 'react';
import { setLeaveGuard } from './router.ts';

/**
 * While `unsaved` holds, leaving asks first: a link or Back inside the UI
 * asks `question`, a reload or a closed tab gets the browser's own prompt.
 */
export function useLeaveGuard(unsaved: boolean, question: string): void {
  useEffect(() => {
    if (!unsaved) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    const removeGuard = setLeaveGuard(() => question);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      removeGuard();
    };
  }, [unsaved, question]);
}
