// The namespaces every mechanism test uses.
global using ModelCheck.Explore.Runs;
global using ModelCheck.Model.Ops;
global using ModelCheck.Model.Scenario;
global using ModelCheck.Model.State;
global using ModelCheck.Model.Steps;
global using ModelCheck.Model.Variants;
