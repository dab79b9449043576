// Flags `spawn(name, function* () { ... })`: a thread body written inline is a fresh closure in
// every execution, and V8 keeps each one's map alive through scavenges (issue 14: two thirds of
// the GC time). Write the body at module level and pass what it needs: `spawn(name, body, x, i)`.
export default {
  meta: {
    type: 'problem',
    schema: [],
    messages: { closure: 'Thread body of spawn() is an inline function: declare it at module level and pass its inputs as arguments.' },
  },
  create(context) {
    return {
      CallExpression(node) {
        if (node.callee.type !== 'Identifier' || node.callee.name !== 'spawn') return;
        const body = node.arguments[1];
        if (body && (body.type === 'FunctionExpression' || body.type === 'ArrowFunctionExpression')) {
          context.report({ node: body, messageId: 'closure' });
        }
      },
    };
  },
};
