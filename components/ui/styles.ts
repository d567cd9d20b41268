// Class names shared by server and client components (a "use client" module cannot export
// plain values to server components).
export const selectClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500";
