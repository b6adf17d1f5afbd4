print("cn-bench-openimages: not yet")
