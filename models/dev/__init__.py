"""Developer scripts: golden values and test fixtures made from the shipped packages (not installed with the app)."""
