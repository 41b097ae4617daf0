/** The SociApp API: VITE_API_URL when the app was built with it, else port 3000 of this page's host. */
export const API_URL: string =
  import.meta.env.VITE_API_URL || `${location.protocol}//${location.hostname}:3000`
