"""The similarity map: 2-D layouts of the library, clusters and their names, and a picture of it."""
