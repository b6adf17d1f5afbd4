print("cn-bench-codecs: not yet")
