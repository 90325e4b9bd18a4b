"""Course authoring: who may edit which course, and course packages in the browser."""
