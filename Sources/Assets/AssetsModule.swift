/// Namespace of the Assets module.
public enum AssetsModule {}
