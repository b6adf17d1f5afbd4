/// Namespace of the StageCLI module.
public enum StageCLIModule {}
