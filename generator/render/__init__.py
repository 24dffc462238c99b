"""Model → text and bytes, pure: nothing here reads content/ or writes output/."""
