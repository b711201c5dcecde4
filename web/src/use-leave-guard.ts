import { useEffect } from 'react';
import { setLeaveGuard } from './router.ts';

/**
 * While `unsaved` holds, leaving asks first: a link or Back inside the UI
 * asks `question`, a reload or a closed tab gets the browser's own prompt.
 * `keeps(next)` tells a route change that keeps the unsaved work in view (another tab of the same block), which asks nothing.
 */
export function useLeaveGuard(unsaved: boolean, question: string, keeps: (next: string) => boolean = () => false): void {
  useEffect(() => {
    if (!unsaved) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    const removeGuard = setLeaveGuard((next) => (keeps(next) ? undefined : question));
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      removeGuard();
    };
  }, [unsaved, question, keeps]);
}
