"""Live: talking HTTP to a real ComfyUI (the client) and comparing its answers with ours (agreement)."""
