/// Namespace of the Shards module.
public enum ShardsModule {}
