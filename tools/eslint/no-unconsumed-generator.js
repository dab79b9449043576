// Flags a call whose Generator result is thrown away: in a model, `f();` where `yield* f();`
// was meant silently skips the whole function.
import { ESLintUtils } from '@typescript-eslint/utils';

export default ESLintUtils.RuleCreator.withoutDocs({
  meta: {
    type: 'problem',
    schema: [],
    messages: { unconsumed: 'Generator from {{name}}() is discarded; write `yield* {{name}}(...)`.' },
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    return {
      'ExpressionStatement > CallExpression'(node) {
        const sym = services.getTypeAtLocation(node).getSymbol();
        if (sym && /^(Generator|IterableIterator|Iterator)$/.test(sym.getName())) {
          const callee = node.callee;
          const name = callee.type === 'Identifier' ? callee.name
            : callee.type === 'MemberExpression' && callee.property.type === 'Identifier' ? callee.property.name : 'call';
          context.report({ node, messageId: 'unconsumed', data: { name } });
        }
      },
    };
  },
});
