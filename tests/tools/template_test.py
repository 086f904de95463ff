#!/usr/bin/env python3
"""deploy/template.yaml checked without AWS: the state machine in Amazon States Language has
every state reachable and every transition pointing at a state, uses only the fields the ASL
specification and the Distributed Map documentation define for each state type, and is wired
to the function, the bucket and the roles it needs; the EventBridge rules split uploads at one
size threshold between the function and the state machine.

The field lists below are written from the Amazon States Language specification and the Step
Functions developer guide (Map state, ItemReader, ItemBatcher, ResultWriter), not from the
template. The function's answers these states read (plan: bucket, key, count; merge: manifest)
are the ones lambda_test.py checks the packaged function gives.

Usage: template_test.py REPO_DIR
"""
import os
import sys

import yaml

import support

REPO = sys.argv[1]
check = support.Checks()

COMMON = {"Type", "Comment", "Next", "End", "InputPath", "OutputPath"}
FIELDS = {
    "Task": COMMON | {"Resource", "Parameters", "ResultPath", "ResultSelector", "Retry", "Catch",
                      "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
                      "HeartbeatSecondsPath", "Credentials"},
    "Map": COMMON | {"ItemProcessor", "Iterator", "ItemsPath", "ItemReader", "ItemSelector",
                     "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath",
                     "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
                     "ToleratedFailureCount", "ToleratedFailureCountPath", "Label", "Parameters",
                     "ResultPath", "ResultSelector", "Retry", "Catch"},
    "Pass": COMMON | {"Result", "ResultPath", "Parameters"},
    "Choice": {"Type", "Comment", "Choices", "Default", "InputPath", "OutputPath"},
    "Succeed": {"Type", "Comment", "InputPath", "OutputPath"},
    "Fail": {"Type", "Comment", "Error", "Cause"},
}
READER = {"Resource", "ReaderConfig", "Parameters"}
READER_CONFIG = {"InputType", "CSVHeaderLocation", "CSVHeaders", "MaxItems", "MaxItemsPath"}
BATCHER = {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
           "MaxInputBytesPerBatchPath", "BatchInput"}
WRITER = {"Resource", "Parameters", "WriterConfig"}


class CfnLoader(yaml.SafeLoader):
    pass


def tag(name):
    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}
    return construct


for t in ("Ref", "Sub", "GetAtt", "If", "Not", "Equals", "Join", "Select", "Split"):
    CfnLoader.add_constructor("!" + t, tag("Fn::" + t if t != "Ref" else "Ref"))


def states_of(machine, where):
    """Checks one States block (reachability, transitions, fields); returns its Task states."""
    states, start = machine["States"], machine["StartAt"]
    check(f"{where}: StartAt names a state", start in states, start)
    reach, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in reach or name not in states:
            continue
        reach.add(name)
        s = states[name]
        targets = [s.get("Next"), s.get("Default")] + [c.get("Next") for c in s.get("Choices", [])]
        todo += [t for t in targets if t]
    check(f"{where}: every state is reachable from {start}", reach == set(states),
          set(states) - reach)
    tasks = []
    for name, s in states.items():
        kind = s.get("Type")
        check(f"{where}/{name}: a known state type with only its documented fields",
              kind in FIELDS and set(s) <= FIELDS[kind], set(s) - FIELDS.get(kind, set()))
        if kind not in ("Choice", "Succeed", "Fail"):
            check(f"{where}/{name}: either Next (to a state) or End",
                  ("Next" in s) != bool(s.get("End")) and s.get("Next", start) in states, s)
        if kind == "Task":
            tasks.append((name, s))
        if kind == "Map":
            tasks += states_of(s["ItemProcessor"], f"{where}/{name}")
    return tasks


def main():
    doc = yaml.load(open(os.path.join(REPO, "deploy", "template.yaml")), Loader=CfnLoader)
    res = doc["Resources"]
    sm = res.get("ScaleOutStateMachine", {})
    check("a Serverless state machine resource", sm.get("Type") == "AWS::Serverless::StateMachine")
    definition = sm["Properties"]["Definition"]
    tasks = states_of(definition, "machine")

    # The function is what every task invokes, through the optimised Lambda integration.
    check("every task invokes the ouiscan function (lambda:invoke, FunctionName its ARN)",
          len(tasks) == 3 and all(
              t["Resource"] == "arn:aws:states:::lambda:invoke" and
              t["Parameters"]["FunctionName"] == {"Fn::GetAtt": "OuiscanFunction.Arn"}
              for _, t in tasks), [n for n, _ in tasks])
    states = definition["States"]
    plan, scan, merge = states["Plan"], states["ScanRanges"], states["Merge"]
    check("Plan sends a plan request and keeps the plan's bucket, key and count",
          set(plan["Parameters"]["Payload"]) == {"plan"} and
          plan["ResultSelector"] == {"bucket.$": "$.Payload.bucket", "key.$": "$.Payload.key",
                                     "count.$": "$.Payload.count"}, plan)
    reader = scan["ItemReader"]
    check("the Map reads the plan's JSON array from S3 (s3:getObject, InputType JSON)",
          set(reader) <= READER and set(reader["ReaderConfig"]) <= READER_CONFIG and
          reader["Resource"] == "arn:aws:states:::s3:getObject" and
          reader["ReaderConfig"]["InputType"] == "JSON" and
          reader["Parameters"] == {"Bucket.$": "$.plan.bucket", "Key.$": "$.plan.key"}, reader)
    check("the Map is distributed, batched, bounded and tolerant as parameters say",
          scan["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED" and
          set(scan["ItemBatcher"]) <= BATCHER and
          scan["ItemBatcher"]["MaxItemsPerBatch"] == {"Ref": "ItemsPerBatch"} and
          scan["MaxConcurrency"] == {"Ref": "MaxConcurrency"} and
          scan["ToleratedFailurePercentage"] == {"Ref": "ToleratedFailurePercentage"}, scan)
    writer = scan["ResultWriter"]
    check("the Map's results go to S3 (s3:putObject, the bucket, under the output prefix)",
          set(writer) <= WRITER and writer["Resource"] == "arn:aws:states:::s3:putObject" and
          writer["Parameters"]["Bucket"] == {"Ref": "BucketName"} and
          "OutputPrefix" in str(writer["Parameters"]["Prefix"]), writer)
    check("each range is one invocation with the Map's item (or batch) as its payload",
          states_of(scan["ItemProcessor"], "map")[0][1]["Parameters"]["Payload.$"] == "$", scan)
    check("Merge reads the ResultWriter's manifest",
          "ResultWriterDetails.Bucket" in merge["Parameters"]["Payload"]["merge"]["manifest.$"]
          and "ResultWriterDetails.Key" in merge["Parameters"]["Payload"]["merge"]["manifest.$"]
          and scan["ResultPath"] == "$.map", merge)

    # Roles: the machine may invoke the function, read plans, write and read map results, run
    # its child workflows; the function may read captures, list for plans, write results.
    policies = sm["Properties"]["Policies"]
    text = str(policies)
    check("the machine's role: invoke the function, S3 for plans and map runs, child workflows",
          {"LambdaInvokePolicy": {"FunctionName": {"Ref": "OuiscanFunction"}}} in policies and
          "states:StartExecution" in text and "s3:PutObject" in text and "plans/*" in text and
          "map-runs" in text, text[:300])
    fn = res["OuiscanFunction"]["Properties"]
    fn_text = str(fn["Policies"])
    check("the function's role: read captures, list the bucket, write results (nothing more)",
          "s3:GetObject" in fn_text and "s3:ListBucket" in fn_text and "s3:PutObject" in fn_text
          and "s3:DeleteObject" not in fn_text and "*\"" not in fn_text, fn_text[:300])

    # Uploads: EventBridge on the bucket; small ones to the function, large ones to the machine.
    bucket = res["CaptureBucket"]["Properties"]
    small = fn["Events"]["SmallCaptureUploaded"]["Properties"]["Pattern"]["detail"]["object"]
    large = sm["Properties"]["Events"]["LargeCaptureUploaded"]["Properties"]
    check("the bucket sends its events to EventBridge",
          bucket["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"])
    check("uploads split at one threshold: < to the function, >= to the state machine",
          small["size"] == [{"numeric": ["<", {"Ref": "LargeCaptureBytes"}]}] and
          large["Pattern"]["detail"]["object"]["size"] ==
          [{"numeric": [">=", {"Ref": "LargeCaptureBytes"}]}] and
          small["key"] == large["Pattern"]["detail"]["object"]["key"], (small, large))
    check("a large upload starts the machine with the object as its inputs",
          large["InputTransformer"]["InputTemplate"] == '{"inputs": ["s3://<bucket>/<key>"]}',
          large["InputTransformer"])
    return check.done()


if __name__ == "__main__":
    sys.exit(main())
