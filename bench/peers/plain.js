// The logout function of the API's documentation ("Logout User", Example
// Implementation), verbatim apart from the export. `store` and `router` are
// the app's own objects.
export async function logout() {
  try {
    // Call logout endpoint
    const response = await fetch('/auth/logout', {
      method: 'POST',
      credentials: 'include'
    });
    
    if (response.ok) {
      // Clear client-side tokens
      localStorage.removeItem('access_token');
      sessionStorage.clear();
      
      // Clear application state
      store.dispatch('auth/logout');
      
      // Redirect to login
      router.push('/');
    }
  } catch (error) {
    console.error('Logout failed:', error);
  }
}
